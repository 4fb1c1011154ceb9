package services

import (
	"reflect"
	"testing"

	"rectify/domain"
)

func ptr[T any](v T) *T { return &v }

// The field check of an action body, by the rule table: what API.md's table
// and the API's answers (integration tests) say, one case per rule.
func TestActionInputRequest(t *testing.T) {
	actor := domain.Actor{Username: "u", Role: domain.RoleCallCenter}
	cases := []struct {
		action string
		in     ActionInput
		fields []domain.FieldError // nil: accepted
	}{
		{"sign", ActionInput{}, nil},
		{"sign", ActionInput{Note: ptr("x"), Level: ptr(domain.Level("satisfied"))},
			[]domain.FieldError{{Field: "note", Message: "not taken by sign"}, {Field: "level", Message: "not taken by sign"}}},
		{"dispatch", ActionInput{DepartmentCode: ptr("")}, []domain.FieldError{{Field: "department_code", Message: "required"}}},
		{"request_extension", ActionInput{}, []domain.FieldError{{Field: "reason", Message: "required"}, {Field: "working_days", Message: "required"}}},
		{"decide_appeal", ActionInput{Approve: ptr(true)},
			[]domain.FieldError{{Field: "approve", Message: "not taken by decide_appeal"}, {Field: "uphold", Message: "required"}}},
		{"log_call", ActionInput{Reached: ptr(true)}, []domain.FieldError{{Field: "level", Message: "required"}}},
		{"log_call", ActionInput{Reached: ptr(false)}, nil},
		{"log_call", ActionInput{Reached: ptr(true), Level: ptr(domain.Level("great"))},
			[]domain.FieldError{{Field: "level", Message: "must be one of the five levels"}}},
		{"log_call", ActionInput{}, []domain.FieldError{{Field: "reached", Message: "required"}}},
		{"urge", ActionInput{Note: ptr("")}, []domain.FieldError{{Field: "note", Message: "required"}}},
	}
	for _, c := range cases {
		rule, _ := domain.RuleOf(c.action)
		_, err := c.in.request(rule, actor)
		var got []domain.FieldError
		if de, ok := domain.AsError(err); ok {
			got = de.Fields
			if de.Code != "invalid_action" || de.Kind != domain.KindInvalid {
				t.Errorf("%s %+v: %v, want 422 invalid_action", c.action, c.in, err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.fields) {
			t.Errorf("%s: fields %+v, want %+v", c.action, got, c.fields)
		}
	}
}

// What reaches the workflow: each field where ActionRequest carries it.
func TestActionInputCarriesFields(t *testing.T) {
	actor := domain.Actor{Username: "sup", Role: domain.RoleSupervisor}
	check := func(action string, in ActionInput, dept, note string, days int, approve, reached bool, level domain.Level) {
		t.Helper()
		rule, _ := domain.RuleOf(action)
		q, err := in.request(rule, actor)
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		if q.DepartmentCode != dept || q.Note != note || q.WorkingDays != days || q.Approve != approve ||
			q.Reached != reached || q.Level != level || q.Actor != actor {
			t.Errorf("%s: %+v", action, q)
		}
	}
	check("dispatch", ActionInput{DepartmentCode: ptr("D"), Note: ptr("n")}, "D", "n", 0, false, false, "")
	check("request_extension", ActionInput{Reason: ptr("r"), WorkingDays: ptr(3)}, "", "r", 3, false, false, "")
	check("decide_extension", ActionInput{Approve: ptr(true), Comment: ptr("ok")}, "", "ok", 0, true, false, "")
	check("decide_appeal", ActionInput{Uphold: ptr(true)}, "", "", 0, true, false, "")
	check("resolve", ActionInput{Report: ptr("done")}, "", "done", 0, false, false, "")
	check("log_call", ActionInput{Reached: ptr(true), Level: ptr(domain.Level("satisfied")), Note: ptr("n")}, "", "n", 0, false, true, "satisfied")
	check("close", ActionInput{Reason: ptr("r")}, "", "r", 0, false, false, "")
}

// A page's form sets the same fields (Set), and the table names no field the
// input lacks.
func TestActionInputSet(t *testing.T) {
	var in ActionInput
	for _, f := range domain.ActionFields() {
		v := map[domain.FieldType]string{domain.FieldText: "x", domain.FieldInt: "2", domain.FieldBool: "true", domain.FieldLevel: "satisfied"}[f.Type]
		in.Set(f.Name, v)
		if !in.field(f.Name).set {
			t.Errorf("Set(%q) left it unset", f.Name)
		}
	}
	var bad ActionInput
	bad.Set("working_days", "two")
	if bad.WorkingDays != nil {
		t.Error("a working_days that is not a number was set")
	}
}
