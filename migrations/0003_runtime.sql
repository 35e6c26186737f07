-- Runs that do real work: hydra.runs filters by status or workflow (newest first), and
-- hydra.next_action without a run_id looks up the caller's active runs.
CREATE INDEX `runs_user_status_idx` ON `runs` (`user_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_user_workflow_idx` ON `runs` (`user_id`,`workflow_id`,`created_at`);
