-- Reliability: linear version history and account deletion that wins against racing writes.
--
-- 1. Repair: a workflow whose current_version is not its newest stored version (left by
--    concurrent updates before version inserts were guarded) points at the newest one again.
UPDATE `workflows` SET `current_version` = (
	SELECT v.`version` FROM `workflow_versions` AS v WHERE v.`workflow_id` = `workflows`.`id`
	ORDER BY v.`major` DESC, v.`minor` DESC, v.`patch` DESC LIMIT 1
)
WHERE EXISTS (SELECT 1 FROM `workflow_versions` AS v WHERE v.`workflow_id` = `workflows`.`id`)
AND `current_version` <> (
	SELECT v.`version` FROM `workflow_versions` AS v WHERE v.`workflow_id` = `workflows`.`id`
	ORDER BY v.`major` DESC, v.`minor` DESC, v.`patch` DESC LIMIT 1
);
--> statement-breakpoint
-- 2. Tombstones. `users.deleted_at` is set when an account deletion starts; the deletion batch
--    removes the users row and leaves a `deleted_users` row, which refuses tokens issued before
--    the deletion for the rest of their lifetime (src/users/tombstone.ts).
ALTER TABLE `users` ADD `deleted_at` text;
--> statement-breakpoint
CREATE TABLE `deleted_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`deleted_at` text NOT NULL
);
--> statement-breakpoint
-- 3. Every insert of a row owned by a user that is being deleted (deleted_at set), or that is
--    deleted and has not signed up again, aborts inside its own statement, so a write racing the
--    deletion can never commit after it started. Rows of users never seen are not affected.
CREATE TRIGGER `workflows_owner_alive` BEFORE INSERT ON `workflows`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`owner_id` AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = NEW.`owner_id`) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`owner_id`))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `workflow_versions_owner_alive` BEFORE INSERT ON `workflow_versions`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = (SELECT `owner_id` FROM `workflows` WHERE `id` = NEW.`workflow_id`) AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = (SELECT `owner_id` FROM `workflows` WHERE `id` = NEW.`workflow_id`)) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = (SELECT `owner_id` FROM `workflows` WHERE `id` = NEW.`workflow_id`)))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `library_entries_owner_alive` BEFORE INSERT ON `library_entries`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id` AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = NEW.`user_id`) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id`))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `ratings_owner_alive` BEFORE INSERT ON `ratings`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id` AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = NEW.`user_id`) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id`))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `deployments_owner_alive` BEFORE INSERT ON `deployments`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`owner_id` AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = NEW.`owner_id`) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`owner_id`))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `deployment_workflows_owner_alive` BEFORE INSERT ON `deployment_workflows`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = (SELECT `owner_id` FROM `deployments` WHERE `id` = NEW.`deployment_id`) AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = (SELECT `owner_id` FROM `deployments` WHERE `id` = NEW.`deployment_id`)) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = (SELECT `owner_id` FROM `deployments` WHERE `id` = NEW.`deployment_id`)))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `api_keys_owner_alive` BEFORE INSERT ON `api_keys`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id` AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = NEW.`user_id`) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id`))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `runs_owner_alive` BEFORE INSERT ON `runs`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id` AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = NEW.`user_id`) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id`))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `billing_records_owner_alive` BEFORE INSERT ON `billing_records`
WHEN EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id` AND `deleted_at` IS NOT NULL)
	OR (EXISTS (SELECT 1 FROM `deleted_users` WHERE `user_id` = NEW.`user_id`) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`user_id`))
BEGIN
	SELECT RAISE(ABORT, 'account_deleted');
END;
