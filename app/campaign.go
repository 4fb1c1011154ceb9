package app

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"rectify/workflows"
)

// StartCampaign makes sure the satisfaction call-back campaign runs. Its workflow
// ID is fixed per task queue, so every worker process may call this at start: the
// first creates the campaign, the others find it running. A campaign that was
// terminated by an operator is started afresh.
func (s *System) StartCampaign(ctx context.Context) error {
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.CampaignWorkflowID(s.Config.Temporal.TaskQueue),
		TaskQueue:                s.Config.Temporal.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.Campaign, workflows.CampaignInput{})
	return err
}

// keepCampaignStarted retries StartCampaign until it succeeds or ctx ends: a worker
// may come up before Temporal answers.
func (s *System) keepCampaignStarted(ctx context.Context) {
	for {
		err := s.StartCampaign(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		s.Log.Warn("starting the call-back campaign; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(15 * time.Second):
		}
	}
}
