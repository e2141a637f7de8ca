CREATE TABLE `attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`model_id` text NOT NULL,
	`task_id` text NOT NULL,
	`attempt_index` integer NOT NULL,
	`status` text NOT NULL,
	`agent_status` text,
	`grade_status` text,
	`resolved` integer,
	`partial_score` real,
	`constraints_kept` integer,
	`constraints_total` integer,
	`grade_json` text,
	`started_at` text,
	`finished_at` text,
	`wall_ms` real,
	`model_ms` real,
	`tool_ms` real,
	`test_ms` real,
	`steps` integer,
	`input_tokens` integer,
	`cached_input_tokens` integer,
	`output_tokens` integer,
	`reasoning_tokens` integer,
	`cost_usd` real,
	`transcript_path` text,
	`error` text,
	`worker` text,
	`infrastructure_retries` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attempts_matrix_cell` ON `attempts` (`run_id`,`model_id`,`task_id`,`attempt_index`);--> statement-breakpoint
CREATE INDEX `attempts_run_id` ON `attempts` (`run_id`);--> statement-breakpoint
CREATE INDEX `attempts_run_id_status` ON `attempts` (`run_id`,`status`);--> statement-breakpoint
CREATE TABLE `events` (
	`attempt_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`type` text NOT NULL,
	`time` text NOT NULL,
	`json` text NOT NULL,
	PRIMARY KEY(`attempt_id`, `sequence`),
	FOREIGN KEY (`attempt_id`) REFERENCES `attempts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_attempt_id` ON `events` (`attempt_id`);--> statement-breakpoint
CREATE TABLE `run_models` (
	`run_id` text NOT NULL,
	`model_id` text NOT NULL,
	`label` text NOT NULL,
	`provider` text NOT NULL,
	`simulated` integer NOT NULL,
	`endpoint_info_json` text,
	PRIMARY KEY(`run_id`, `model_id`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `run_tasks` (
	`run_id` text NOT NULL,
	`task_id` text NOT NULL,
	`suite` text,
	`task_hash` text NOT NULL,
	`multi_turn` integer NOT NULL,
	PRIMARY KEY(`run_id`, `task_id`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`finished_at` text,
	`status` text NOT NULL,
	`config_json` text NOT NULL,
	`config_hash` text NOT NULL,
	`price_table_version` text,
	`simulated` integer NOT NULL,
	`notes` text
);
--> statement-breakpoint
CREATE TABLE `steps` (
	`attempt_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`step_index` integer NOT NULL,
	`ttft_ms` real,
	`ttft_source` text NOT NULL,
	`prefill_tps` real,
	`decode_tps` real,
	`prefill_ms` real,
	`decode_ms` real,
	`load_ms` real,
	`prefill_source` text NOT NULL,
	`decode_source` text NOT NULL,
	`wall_ms` real NOT NULL,
	`input_tokens` integer NOT NULL,
	`cached_input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`usage_source` text NOT NULL,
	`finish_reason` text NOT NULL,
	`tool_call_count` integer NOT NULL,
	`infrastructure_retries` integer NOT NULL,
	`simulated` integer NOT NULL,
	PRIMARY KEY(`attempt_id`, `sequence`),
	FOREIGN KEY (`attempt_id`) REFERENCES `attempts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `steps_attempt_id` ON `steps` (`attempt_id`);--> statement-breakpoint
CREATE TABLE `tool_calls` (
	`attempt_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`step_index` integer NOT NULL,
	`call_id` text NOT NULL,
	`name` text NOT NULL,
	`origin` text NOT NULL,
	`format` text NOT NULL,
	`validity` text NOT NULL,
	`detail` text,
	`duration_ms` real,
	`is_error` integer,
	PRIMARY KEY(`attempt_id`, `sequence`),
	FOREIGN KEY (`attempt_id`) REFERENCES `attempts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tool_calls_attempt_id` ON `tool_calls` (`attempt_id`);