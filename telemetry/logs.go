package telemetry

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

type ctxKey int

const requestIDKey ctxKey = iota

// WithRequestID carries the HTTP request's ID (X-Request-Id) to whatever logs
// on its behalf.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID is the request ID carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// LogHandler makes every component's lines findable by the same keys: it adds
// request_id (and trace_id when a span is recording) from the context of
// *Context log calls, and renames the Temporal SDK's WorkflowID and RunID
// attributes to workflow_id and run_id, the names rectify's own lines use.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

// sdkKeys are the Temporal SDK's attribute names and rectify's for the same thing.
var sdkKeys = map[string]string{"WorkflowID": "workflow_id", "RunID": "run_id", "ActivityID": "activity_id",
	"ActivityType": "activity_type", "WorkflowType": "workflow_type"}

func rename(a slog.Attr) slog.Attr {
	if k, ok := sdkKeys[a.Key]; ok {
		a.Key = k
	}
	return a
}

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(rename(a))
		return true
	})
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			out.AddAttrs(slog.String("request_id", id))
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			out.AddAttrs(slog.String("trace_id", sc.TraceID().String()))
		}
	}
	return h.Handler.Handle(ctx, out)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	renamed := make([]slog.Attr, len(as))
	for i, a := range as {
		renamed[i] = rename(a)
	}
	return logHandler{h.Handler.WithAttrs(renamed)}
}

func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.Handler.WithGroup(name)} }
