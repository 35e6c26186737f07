CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_idx` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_user_idx` ON `api_keys` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `billing_records` (
	`user_id` text PRIMARY KEY NOT NULL,
	`customer_id` text,
	`subscription_id` text,
	`plan` text DEFAULT 'free' NOT NULL,
	`status` text,
	`price_id` text,
	`current_period_start` text,
	`current_period_end` text,
	`cancel_at_period_end` integer DEFAULT false NOT NULL,
	`last_event_at` integer,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deployment_prompts` (
	`deployment_id` text NOT NULL,
	`adapter` text NOT NULL,
	`content` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`deployment_id`, `adapter`)
);
--> statement-breakpoint
CREATE TABLE `deployment_usage_daily` (
	`deployment_id` text NOT NULL,
	`day` text NOT NULL,
	`adapter` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`deployment_id`, `day`, `adapter`)
);
--> statement-breakpoint
CREATE TABLE `deployment_workflows` (
	`deployment_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`deployment_id`, `workflow_id`)
);
--> statement-breakpoint
CREATE INDEX `deployment_workflows_workflow_idx` ON `deployment_workflows` (`workflow_id`);--> statement-breakpoint
CREATE TABLE `deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`enabled_adapters` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`allow_anonymous` integer DEFAULT false NOT NULL,
	`last_connected_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `deployments_owner_idx` ON `deployments` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `library_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_user_id` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`enabled_adapters` text NOT NULL,
	`pinned_version` text NOT NULL,
	`auto_update` integer DEFAULT true NOT NULL,
	`added_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `library_user_workflow_idx` ON `library_entries` (`user_id`,`workflow_id`);--> statement-breakpoint
CREATE INDEX `library_user_added_idx` ON `library_entries` (`user_id`,`added_at`,`id`);--> statement-breakpoint
CREATE INDEX `library_workflow_idx` ON `library_entries` (`workflow_id`);--> statement-breakpoint
CREATE INDEX `library_workflow_source_idx` ON `library_entries` (`workflow_id`,`source_type`);--> statement-breakpoint
CREATE TABLE `ratings` (
	`user_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`rating` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `workflow_id`)
);
--> statement-breakpoint
CREATE INDEX `ratings_workflow_idx` ON `ratings` (`workflow_id`);--> statement-breakpoint
CREATE TABLE `run_approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `run_approvals_run_idx` ON `run_approvals` (`run_id`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`intent` text NOT NULL,
	`workflow_id` text,
	`workflow_version` text,
	`status` text NOT NULL,
	`steps` text DEFAULT '[]' NOT NULL,
	`tokens_used` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`completed_at` text
);
--> statement-breakpoint
CREATE INDEX `runs_user_idx` ON `runs` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text,
	`display_name` text,
	`plan` text DEFAULT 'free' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `workflow_versions` (
	`workflow_id` text NOT NULL,
	`version` text NOT NULL,
	`major` integer NOT NULL,
	`minor` integer NOT NULL,
	`patch` integer NOT NULL,
	`manifest` text NOT NULL,
	`changelog` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`workflow_id`, `version`)
);
--> statement-breakpoint
CREATE INDEX `workflow_versions_order_idx` ON `workflow_versions` (`workflow_id`,`major`,`minor`,`patch`);--> statement-breakpoint
CREATE TABLE `workflows` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text,
	`visibility` text DEFAULT 'private' NOT NULL,
	`category` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`current_version` text NOT NULL,
	`forks_count` integer DEFAULT 0 NOT NULL,
	`subscribers_count` integer DEFAULT 0 NOT NULL,
	`rating_sum` integer DEFAULT 0 NOT NULL,
	`rating_count` integer DEFAULT 0 NOT NULL,
	`featured` integer DEFAULT false NOT NULL,
	`forked_from_workflow_id` text,
	`forked_from_user_id` text,
	`forked_from_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workflows_owner_idx` ON `workflows` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `workflows_public_updated_idx` ON `workflows` (`visibility`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `workflows_public_category_idx` ON `workflows` (`visibility`,`category`);--> statement-breakpoint
CREATE INDEX `workflows_public_popular_idx` ON `workflows` (`visibility`,`subscribers_count`,`forks_count`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `workflows_forked_from_idx` ON `workflows` (`forked_from_workflow_id`);