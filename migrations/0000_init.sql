CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"kind" text DEFAULT 'api' NOT NULL,
	"staff_id" text,
	"member_id" text,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_tokens_owner" CHECK (("api_tokens"."staff_id" is null) <> ("api_tokens"."member_id" is null))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "badges" (
	"id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"uid_hash" text NOT NULL,
	"uid_last4" text NOT NULL,
	"offline_hash" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "certifications" (
	"id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"qualification_id" text NOT NULL,
	"certified_by" text,
	"certified_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"revoke_reason" text
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"machine_id" text NOT NULL,
	"secret_hash" text NOT NULL,
	"label" text,
	"online" boolean DEFAULT false NOT NULL,
	"last_seen_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"transaction_id" bigint NOT NULL,
	"account" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"member_id" text,
	"machine_id" text,
	"machine_kind" text,
	CONSTRAINT "ledger_entries_nonzero" CHECK ("ledger_entries"."amount_cents" <> 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_transactions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"member_id" text,
	"session_id" text,
	"method" text,
	"reference" text,
	"reason" text,
	"reverses_id" bigint,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "machine_events" (
	"id" text PRIMARY KEY NOT NULL,
	"machine_id" text NOT NULL,
	"kind" text NOT NULL,
	"session_id" text,
	"member_id" text,
	"granted" boolean,
	"reason" text,
	"running_seconds" integer,
	"at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"response" jsonb
);
--> statement-breakpoint
CREATE TABLE "machine_qualifications" (
	"machine_id" text NOT NULL,
	"qualification_id" text NOT NULL,
	CONSTRAINT "machine_qualifications_machine_id_qualification_id_pk" PRIMARY KEY("machine_id","qualification_id")
);
--> statement-breakpoint
CREATE TABLE "machine_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"machine_id" text NOT NULL,
	"member_id" text NOT NULL,
	"badge_id" text,
	"request_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"last_event_at" timestamp with time zone NOT NULL,
	"running_seconds" integer DEFAULT 0 NOT NULL,
	"due_cents" bigint DEFAULT 0 NOT NULL,
	"charged_cents" bigint DEFAULT 0 NOT NULL,
	"end_reason" text,
	"lock_sent_at" timestamp with time zone,
	"offline" boolean DEFAULT false NOT NULL,
	CONSTRAINT "machine_sessions_charge_nonneg" CHECK ("machine_sessions"."charged_cents" >= 0 and "machine_sessions"."running_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "machines" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"price_per_minute_cents" integer NOT NULL,
	"minimum_charge_cents" integer NOT NULL,
	"overdraft_limit_cents" integer DEFAULT 0 NOT NULL,
	"credit_policy" text DEFAULT 'lock' NOT NULL,
	"max_session_seconds" integer,
	"heartbeat_seconds" integer DEFAULT 30 NOT NULL,
	"state" text DEFAULT 'available' NOT NULL,
	"state_note" text,
	"online" boolean DEFAULT false NOT NULL,
	"last_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "machines_price_nonneg" CHECK ("machines"."price_per_minute_cents" >= 0 and "machines"."minimum_charge_cents" >= 0),
	CONSTRAINT "machines_overdraft_nonneg" CHECK ("machines"."overdraft_limit_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "members" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"membership_valid_until" timestamp with time zone,
	"category" text,
	"birth_year" integer,
	"balance_cents" bigint DEFAULT 0 NOT NULL,
	"password_hash" text,
	"erased_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qualification_prerequisites" (
	"qualification_id" text NOT NULL,
	"requires_id" text NOT NULL,
	CONSTRAINT "qualification_prerequisites_qualification_id_requires_id_pk" PRIMARY KEY("qualification_id","requires_id")
);
--> statement-breakpoint
CREATE TABLE "qualifications" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"validity_days" integer NOT NULL,
	"lapse_after_unused_days" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"roles" text[] NOT NULL,
	"member_id" text,
	"password_hash" text,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trainer_qualifications" (
	"staff_id" text NOT NULL,
	"qualification_id" text NOT NULL,
	CONSTRAINT "trainer_qualifications_staff_id_qualification_id_pk" PRIMARY KEY("staff_id","qualification_id")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badges" ADD CONSTRAINT "badges_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_qualification_id_qualifications_id_fk" FOREIGN KEY ("qualification_id") REFERENCES "public"."qualifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_certified_by_staff_id_fk" FOREIGN KEY ("certified_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_transaction_id_ledger_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."ledger_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_session_id_machine_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."machine_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_qualifications" ADD CONSTRAINT "machine_qualifications_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_qualifications" ADD CONSTRAINT "machine_qualifications_qualification_id_qualifications_id_fk" FOREIGN KEY ("qualification_id") REFERENCES "public"."qualifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_sessions" ADD CONSTRAINT "machine_sessions_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_sessions" ADD CONSTRAINT "machine_sessions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_sessions" ADD CONSTRAINT "machine_sessions_badge_id_badges_id_fk" FOREIGN KEY ("badge_id") REFERENCES "public"."badges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_prerequisites" ADD CONSTRAINT "qualification_prerequisites_qualification_id_qualifications_id_fk" FOREIGN KEY ("qualification_id") REFERENCES "public"."qualifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_prerequisites" ADD CONSTRAINT "qualification_prerequisites_requires_id_qualifications_id_fk" FOREIGN KEY ("requires_id") REFERENCES "public"."qualifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trainer_qualifications" ADD CONSTRAINT "trainer_qualifications_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trainer_qualifications" ADD CONSTRAINT "trainer_qualifications_qualification_id_qualifications_id_fk" FOREIGN KEY ("qualification_id") REFERENCES "public"."qualifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "badges_active_uid_key" ON "badges" USING btree ("uid_hash") WHERE "badges"."status" = 'active';--> statement-breakpoint
CREATE INDEX "badges_uid_idx" ON "badges" USING btree ("uid_hash");--> statement-breakpoint
CREATE INDEX "badges_member_idx" ON "badges" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "certifications_member_idx" ON "certifications" USING btree ("member_id","qualification_id");--> statement-breakpoint
CREATE INDEX "devices_machine_idx" ON "devices" USING btree ("machine_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_tx_idx" ON "ledger_entries" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_member_idx" ON "ledger_entries" USING btree ("account","member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_transactions_reverses_key" ON "ledger_transactions" USING btree ("reverses_id");--> statement-breakpoint
CREATE INDEX "ledger_transactions_created_idx" ON "ledger_transactions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ledger_transactions_session_idx" ON "ledger_transactions" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "machine_events_received_idx" ON "machine_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "machine_events_member_idx" ON "machine_events" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "machine_sessions_open_key" ON "machine_sessions" USING btree ("machine_id") WHERE "machine_sessions"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "machine_sessions_member_idx" ON "machine_sessions" USING btree ("member_id","started_at");--> statement-breakpoint
CREATE INDEX "machine_sessions_machine_idx" ON "machine_sessions" USING btree ("machine_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "members_email_key" ON "members" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "members_name_idx" ON "members" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_email_key" ON "staff" USING btree (lower("email"));