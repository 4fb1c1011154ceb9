package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"rectify/campaigns"
	"rectify/services"
)

// Issue 16 item 9: what the server refuses with 422 the document refuses too, so
// a client validating from it agrees with the server. Each case is a body the
// server refuses; the document's schema must refuse it as well. Where the check
// needs no database the server's own validator is run on it here too.
func TestOpenAPIStatesServerConstraints(t *testing.T) {
	doc := loadOpenAPI(t)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	rating := func(b string) error { _, err := parseRating([]byte(b), now); return err }
	kase := func(b string) error { _, err := parseCase([]byte(b), now, "t"); return err }
	callLog := func(b string) error {
		var in services.CallLog
		if err := unmarshalStrict([]byte(b), &in); err != nil {
			return err
		}
		return in.Validate()
	}
	rules := func(b string) error {
		r := campaigns.Default()
		if err := json.Unmarshal([]byte(b), &r); err != nil {
			return err
		}
		return r.Validate()
	}
	const r0 = `"channel":"web","level":"satisfied","department_code":"D"`
	const c0 = `"service_item_code":"S","department_code":"D","finished_at":"2026-11-20T10:00:00+08:00"`
	for _, tc := range []struct {
		schema *openapi3.Schema
		body   string
		server func(string) error // nil: needs a database, the schema check only
	}{
		{sch(doc, "Department"), `{"code":"市场局","name":"x"}`, nil},
		{sch(doc, "Department"), `{"code":"-A","name":"x"}`, nil},
		{sch(doc, "Department"), `{"code":"A","name":""}`, nil},
		{sch(doc, "NewUser"), `{"username":"张 三","password":"12345678","role":"admin"}`, nil},
		{sch(doc, "RatingIn"), `{"id":"",` + r0 + `}`, rating},
		{sch(doc, "RatingIn"), `{"id":"a\u0007b",` + r0 + `}`, rating},
		{sch(doc, "RatingIn"), `{"id":"x","channel":"web","level":"satisfied","department_code":""}`, rating},
		{sch(doc, "RatingIn"), `{"id":"x",` + r0 + `,"aspects":["attitude","attitude"]}`, rating},
		{sch(doc, "RatingIn"), `{"id":"x",` + r0 + `,"citizen":{"phone":"call me"}}`, rating},
		{sch(doc, "RatingIn"), `{"id":"x",` + r0 + `,"staff_id":"a\u0085"}`, rating},
		{sch(doc, "CaseIn"), `{"case_no":"",` + c0 + `}`, kase},
		{sch(doc, "CaseIn"), `{"case_no":"C",` + c0 + `,"applicant":{"phone":"13x"}}`, kase},
		{sch(doc, "StatsSettings"), `{"weights":[10,8,6,3,101],"min_volume":0}`, nil},
		{sch(doc, "StatsSettings"), `{"weights":[10,8,6,3,-1],"min_volume":0}`, nil},
		{sch(doc, "StatsSettings"), `{"weights":[10,8,6,3,0],"min_volume":1000001}`, nil},
		{sch(doc, "ActionIn"), `{"working_days":0}`, nil},
		{sch(doc, "ActionIn"), `{"working_days":16}`, nil},
		{sch(doc, "ActionIn"), `{"reason":""}`, nil},
		{sch(doc, "SamplingRules"), `{"max_attempts":11}`, rules},
		{sch(doc, "SamplingRules"), `{"retry_after_minutes":10081}`, rules},
		{sch(doc, "SamplingRules"), `{"citizen_cooldown_days":367}`, rules},
		{sch(doc, "SamplingRules"), `{"default_share":1.5}`, rules},
		{sch(doc, "SamplingRules"), `{"department_shares":{"D":2}}`, rules},
		{sch(doc, "SamplingRules"), `{"teams":[]}`, rules},
		{sch(doc, "SamplingRules"), `{"teams":[{"code":"","department_codes":null}]}`, rules},
		{sch(doc, "SamplingRules"), `{"teams":[{"code":"a","daily_cap":-1}]}`, rules},
		{sch(doc, "SamplingRules"), `{"calling_hours":{"start":"9am","end":"18:00"}}`, rules},
		{sch(doc, "SamplingRules"), `{"always_call_items":[""]}`, rules},
		{callLogSchema(t, doc), `{"reached":true}`, callLog},
		{callLogSchema(t, doc), `{"reached":false,"level":"satisfied"}`, callLog},
		{callLogSchema(t, doc), `{"reached":false,"comment":"x"}`, callLog},
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		if tc.server != nil && tc.server(tc.body) == nil {
			t.Errorf("%s: the server accepts it; the case is wrong", tc.body)
		}
		if err := tc.schema.VisitJSON(v); err == nil {
			t.Errorf("%s: the server refuses it, the document allows it", tc.body)
		}
	}
	// Valid bodies stay valid in the document.
	for _, tc := range []struct {
		schema *openapi3.Schema
		body   string
	}{
		{sch(doc, "RatingIn"), `{"id":"JS-WEB-1",` + r0 + `,"aspects":["attitude","guide"],"citizen":{"phone":"+86-138-1234-1234"}}`},
		{sch(doc, "Department"), `{"code":"320100-SCJG","name":"市场监督管理局"}`},
		{callLogSchema(t, doc), `{"reached":false,"note":"无人接听"}`},
		{callLogSchema(t, doc), `{"reached":true,"level":"satisfied","aspects":["attitude"]}`},
		{sch(doc, "SamplingRules"), `{"teams":[{"code":"a"},{"code":"b","department_codes":["D"]}],"calling_hours":{"start":"09:00","end":"24:00"}}`},
	} {
		var v any
		_ = json.Unmarshal([]byte(tc.body), &v)
		if err := tc.schema.VisitJSON(v); err != nil {
			t.Errorf("%s: the document refuses a valid body: %v", tc.body, strings.Join(strings.Fields(err.Error()), " "))
		}
	}
}

func sch(doc *openapi3.T, name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }

func callLogSchema(t *testing.T, doc *openapi3.T) *openapi3.Schema {
	t.Helper()
	return doc.Paths.Find("/api/v1/callbacks/{id}/log").Post.RequestBody.Value.Content.Get("application/json").Schema.Value
}
