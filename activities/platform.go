package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"rectify/hotline"
)

// ErrTypePlatformRefused marks a push the 12345 platform refused for good (a 4xx):
// retrying the same body cannot help.
const ErrTypePlatformRefused = "platform_refused"

// PushInput asks to push a dispatched ticket to the external 12345 platform. The
// workflow fills in what it knows as of the dispatch; the rating comes from the store.
type PushInput struct {
	Number         string
	Seq            int // the dispatch event's sequence number: with Number, the idempotency key
	Round          int
	DepartmentCode string
	DueAt          *time.Time
}

// PushKey is the idempotency key of a push.
func PushKey(number string, seq int) string { return fmt.Sprintf("%s:%d", number, seq) }

// PushTicket sends a dispatched ticket to the 12345 platform (ticketing.mode
// external). It is safe to retry: the platform dedupes on the idempotency key.
func (a *Activities) PushTicket(ctx context.Context, in PushInput) error {
	if a.Platform == nil {
		return temporal.NewNonRetryableApplicationError("ticketing.mode is external in the workflow's policy but this worker has no 12345 platform configured",
			ErrTypePlatformRefused, nil)
	}
	o, err := a.Store.PlatformOrderOf(ctx, in.Number)
	if err != nil {
		return err
	}
	o.Round, o.DepartmentCode, o.DueAt = in.Round, in.DepartmentCode, in.DueAt
	if o.DepartmentName, err = a.Store.DepartmentName(ctx, in.DepartmentCode); err != nil {
		return err
	}
	err = a.Platform.Push(ctx, PushKey(in.Number, in.Seq), o)
	if errors.Is(err, hotline.ErrRefused) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypePlatformRefused, err)
	}
	return err
}
