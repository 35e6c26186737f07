CREATE TABLE `mcp_client_hours` (
	`deployment_id` text NOT NULL,
	`hour` text NOT NULL,
	`client_key` text NOT NULL,
	PRIMARY KEY(`deployment_id`, `hour`, `client_key`)
);
