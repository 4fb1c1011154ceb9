package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestLogHandlerAddsRequestIDAndRenamesSDKKeys(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil)))
	ctx := WithRequestID(context.Background(), "req-42")
	// How the Temporal SDK's structured logger logs: With(keyvals...) then a line.
	log.With("WorkflowID", "rating:R-1", "RunID", "run-1").InfoContext(ctx, "activity", "ActivityType", "Apply")
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"request_id": "req-42", "workflow_id": "rating:R-1", "run_id": "run-1", "activity_type": "Apply"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, buf.Bytes())
		}
	}
	if _, ok := got["WorkflowID"]; ok {
		t.Errorf("the SDK's key is still there: %s", buf.Bytes())
	}
}
