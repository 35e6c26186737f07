-- OAuth sign-in for IDEs: whether a deployment advertises OAuth discovery (grants and tokens live in OAUTH_KV).
ALTER TABLE `deployments` ADD `auth_mode` text DEFAULT 'oauth' NOT NULL;
