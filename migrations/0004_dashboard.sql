-- Dashboard browser sessions (src/session/). The cookie holds a random id; only its SHA-256 is
-- stored, so a leaked table cannot be replayed. Sign out deletes the row (revocation is immediate).
CREATE TABLE `dashboard_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dashboard_sessions_user_idx` ON `dashboard_sessions` (`user_id`);
