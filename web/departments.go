package web

import (
	"context"
	"strings"
)

// resolveDeptField turns a department field's value (a code or a department's
// exact name, as the picker offers) into the code, in place. An unknown value
// stays as typed and comes back as the message to show.
func (w *Web) resolveDeptField(ctx context.Context, l Lang, v *string) []string {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return nil
	}
	code, ok, err := w.Store.ResolveDepartment(ctx, *v)
	if err != nil {
		w.Log.Error("resolve department", "err", err)
		return []string{l.T("err.500")}
	}
	if !ok {
		return []string{l.T("msg.unknown_dept_named", *v)}
	}
	*v = code
	return nil
}
