package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// NamespaceRefresh is how long every Temporal service may take to see a change to
// a namespace: the server's default NamespaceCacheRefreshInterval. Until history
// has refreshed, a workflow task that upserts a new search attribute fails (and
// is retried), so whoever added attributes waits this long before relying on them.
const NamespaceRefresh = 10 * time.Second

// Prepared says what PrepareNamespace changed.
type Prepared struct {
	Registered bool     // the namespace was created
	Added      []string // search attributes added; wait NamespaceRefresh before relying on them
}

// PrepareNamespace makes the namespace ready for rectify's workflows: it registers
// the namespace when missing (with the given retention), adds every search
// attribute of attrs it lacks, and returns once the frontend lists them. Running
// it again changes nothing.
func PrepareNamespace(ctx context.Context, c client.Client, ns string, retention time.Duration,
	attrs map[string]enumspb.IndexedValueType) (did Prepared, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("prepare Temporal namespace %q: %w", ns, err)
		}
	}()
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(retention),
			Description: "rectify: 好差评 rectification workflows"})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) { // another migrate won the race: fine
			return did, fmt.Errorf("register: %w", err)
		}
		did.Registered = true
	case err != nil:
		return did, fmt.Errorf("describe: %w", err)
	}
	// A new namespace is served only after the frontend's cache refreshes; adding
	// search attributes before that fails with NamespaceNotFound.
	if err := poll(ctx, func() error {
		_, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		return err
	}); err != nil {
		return did, fmt.Errorf("namespace not served: %w", err)
	}
	missing, err := MissingSearchAttributes(ctx, c, ns, attrs)
	if err != nil {
		return did, err
	}
	if len(missing) == 0 {
		return did, nil
	}
	add := map[string]enumspb.IndexedValueType{}
	for _, name := range missing {
		add[name] = attrs[name]
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ns, SearchAttributes: add}); err != nil {
		var exists *serviceerror.AlreadyExists
		if !errors.As(err, &exists) {
			return did, fmt.Errorf("add search attributes: %w", err)
		}
	}
	if err := poll(ctx, func() error {
		if m, err := MissingSearchAttributes(ctx, c, ns, attrs); err != nil || len(m) > 0 {
			return fmt.Errorf("still missing %v (%v)", m, err)
		}
		return nil
	}); err != nil {
		return did, err
	}
	did.Added = missing
	return did, nil
}

// MissingSearchAttributes names, sorted, the attributes of attrs the namespace
// lacks. An attribute registered with another type is an error: Temporal would
// keep the old type, and every upsert would fail.
func MissingSearchAttributes(ctx context.Context, c client.Client, ns string, attrs map[string]enumspb.IndexedValueType) ([]string, error) {
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return nil, fmt.Errorf("list search attributes: %w", err)
	}
	var missing []string
	for name, typ := range attrs {
		have, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing = append(missing, name)
		case have != typ:
			return nil, fmt.Errorf("search attribute %s is %s, want %s: rename or drop it by hand", name, have, typ)
		}
	}
	slices.Sort(missing)
	return missing, nil
}

// poll retries f every half second until it succeeds or ctx ends.
func poll(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
