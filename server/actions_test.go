package server

import (
	"slices"
	"strings"
	"testing"

	"rectify/domain"
)

// TestOpenAPIActionTableIsTheRuleTable: the document's table of ticket actions
// (who, which body fields, from which statuses), its action enum and ActionIn's
// fields say what domain.ActionRules says, so the rule table and the contract
// cannot drift apart.
func TestOpenAPIActionTableIsTheRuleTable(t *testing.T) {
	doc := loadOpenAPI(t)
	op := doc.Paths.Find("/api/v1/tickets/{number}/{action}").Post
	var names []string
	for _, line := range strings.Split(op.Description, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 4 {
			t.Fatalf("table row %q: want 4 cells", line)
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		name := strings.Trim(cells[0], "`")
		names = append(names, name)
		rule, ok := domain.RuleOf(name)
		if !ok {
			t.Errorf("the document's action %q is not in domain.ActionRules", name)
			continue
		}
		var body []string
		for _, f := range rule.Fields {
			if f.Required {
				body = append(body, f.Name)
			} else {
				body = append(body, f.Name+"?")
			}
		}
		if got := list(cells[1]); !sameSet(got, body) {
			t.Errorf("%s: the document's body %v, the rule table's %v", name, got, body)
		}
		var roles []string
		for _, r := range rule.Roles {
			roles = append(roles, string(r))
		}
		if got := list(cells[2]); !sameSet(got, roles) {
			t.Errorf("%s: the document's roles %v, the rule table's %v", name, got, roles)
		}
		var from []string
		switch {
		case rule.Pending == domain.PendingExtension:
			from = []string{"a pending extension"}
		case rule.Pending == domain.PendingAppeal:
			from = []string{"a pending appeal"}
		case slices.Equal(rule.From, domain.OpenStatuses):
			from = []string{"any open status"}
		default:
			for _, s := range rule.From {
				from = append(from, string(s))
			}
		}
		if got := list(cells[3]); !sameSet(got, from) {
			t.Errorf("%s: the document's statuses %v, the rule table's %v", name, got, from)
		}
	}
	if !slices.Equal(names, domain.ActionNames()) {
		t.Errorf("the document's table lists %v, the rule table %v", names, domain.ActionNames())
	}
	var enum []string
	for _, v := range op.Parameters.GetByInAndName("path", "action").Schema.Value.Enum {
		enum = append(enum, v.(string))
	}
	if !slices.Equal(enum, domain.ActionNames()) {
		t.Errorf("the action enum %v, the rule table %v", enum, domain.ActionNames())
	}
	var props, fields []string
	for p := range doc.Components.Schemas["ActionIn"].Value.Properties {
		props = append(props, p)
	}
	for _, f := range domain.ActionFields() {
		fields = append(fields, f.Name)
	}
	if !sameSet(props, fields) {
		t.Errorf("ActionIn's properties %v, the rule table's fields %v", props, fields)
	}
}

func list(cell string) []string {
	if cell == "—" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(cell, ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
