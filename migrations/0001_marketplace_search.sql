-- Marketplace: full-text search over workflows (the marketplace indexes live in src/db/schema.ts).
--
-- workflows_fts holds one row per workflow (public or private; queries join workflows and
-- keep only public rows, so a workflow turned private leaves search in the same statement).
-- Step names live in the current version's manifest JSON, so the triggers below rebuild a
-- workflow's row whenever its searchable fields or current version change, or when the row
-- for its current version is inserted (workflow creation inserts the workflow row first).
CREATE VIRTUAL TABLE `workflows_fts` USING fts5(
	`workflow_id` UNINDEXED,
	`name`,
	`description`,
	`tags`,
	`steps`,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- One definition of a workflow's search document, shared by the triggers and the backfill.
CREATE VIEW `workflows_fts_source` AS
SELECT
	w.`id` AS `workflow_id`,
	w.`name` AS `name`,
	coalesce(w.`description`, '') AS `description`,
	(SELECT coalesce(group_concat(t.`value`, ' '), '') FROM json_each(w.`tags`) AS t) AS `tags`,
	(SELECT coalesce(group_concat(json_extract(s.`value`, '$.name'), ' '), '')
		FROM `workflow_versions` AS v, json_each(v.`manifest`, '$.steps') AS s
		WHERE v.`workflow_id` = w.`id` AND v.`version` = w.`current_version`) AS `steps`
FROM `workflows` AS w;
--> statement-breakpoint
CREATE TRIGGER `workflows_fts_after_insert` AFTER INSERT ON `workflows` BEGIN
	INSERT INTO `workflows_fts` (`workflow_id`, `name`, `description`, `tags`, `steps`)
	SELECT `workflow_id`, `name`, `description`, `tags`, `steps` FROM `workflows_fts_source` WHERE `workflow_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `workflows_fts_after_update` AFTER UPDATE OF `name`, `description`, `tags`, `current_version` ON `workflows` BEGIN
	DELETE FROM `workflows_fts` WHERE `workflow_id` = OLD.`id`;
	INSERT INTO `workflows_fts` (`workflow_id`, `name`, `description`, `tags`, `steps`)
	SELECT `workflow_id`, `name`, `description`, `tags`, `steps` FROM `workflows_fts_source` WHERE `workflow_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `workflows_fts_after_version_insert` AFTER INSERT ON `workflow_versions`
WHEN EXISTS (SELECT 1 FROM `workflows` WHERE `id` = NEW.`workflow_id` AND `current_version` = NEW.`version`)
BEGIN
	UPDATE `workflows_fts`
	SET `steps` = (SELECT coalesce(group_concat(json_extract(s.`value`, '$.name'), ' '), '') FROM json_each(NEW.`manifest`, '$.steps') AS s)
	WHERE `workflow_id` = NEW.`workflow_id`;
END;
--> statement-breakpoint
-- Deleting a workflow drops its search row and recounts the forks of the workflow it was
-- forked from, so `stats.forks` counts existing forks whichever code path deletes one.
CREATE TRIGGER `workflows_after_delete` AFTER DELETE ON `workflows` BEGIN
	DELETE FROM `workflows_fts` WHERE `workflow_id` = OLD.`id`;
	UPDATE `workflows`
	SET `forks_count` = (SELECT count(*) FROM `workflows` WHERE `forked_from_workflow_id` = OLD.`forked_from_workflow_id`)
	WHERE OLD.`forked_from_workflow_id` IS NOT NULL AND `id` = OLD.`forked_from_workflow_id`;
END;
--> statement-breakpoint
-- Backfill rows for workflows created before this migration.
INSERT INTO `workflows_fts` (`workflow_id`, `name`, `description`, `tags`, `steps`)
SELECT `workflow_id`, `name`, `description`, `tags`, `steps` FROM `workflows_fts_source`;
