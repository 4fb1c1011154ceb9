package server

import "context"

// departmentCode reads a department field: a department's code, or the exact
// name of one department, which is resolved to its code (people type names).
// ok is false when it is neither; v comes back trimmed then.
func (s *Server) departmentCode(ctx context.Context, v string) (code string, ok bool, err error) {
	code, ok, err = s.Store.ResolveDepartment(ctx, v)
	if err != nil || !ok {
		return v, false, err
	}
	return code, true, nil
}
