CREATE TABLE "allowlist_entry_sets" (
	"digest" text PRIMARY KEY NOT NULL,
	"salt" text NOT NULL,
	"entries" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "allowlist_issues" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"machine_id" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"entries_digest" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offline_reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"machine_id" text NOT NULL,
	"session_id" text NOT NULL,
	"badge_id" text,
	"member_id" text,
	"badge_last4" text NOT NULL,
	"started_at" timestamp with time zone,
	"list_issued_at" timestamp with time zone,
	"running_seconds" integer DEFAULT 0 NOT NULL,
	"unlocked_seconds" integer DEFAULT 0 NOT NULL,
	"end_reason" text,
	"ended_at" timestamp with time zone,
	"hold_reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "allowlist_issues_machine_issued_key" ON "allowlist_issues" USING btree ("machine_id","issued_at");--> statement-breakpoint
CREATE INDEX "allowlist_issues_valid_idx" ON "allowlist_issues" USING btree ("valid_until");--> statement-breakpoint
CREATE INDEX "allowlist_issues_digest_idx" ON "allowlist_issues" USING btree ("entries_digest");--> statement-breakpoint
CREATE UNIQUE INDEX "offline_reviews_session_key" ON "offline_reviews" USING btree ("machine_id","session_id");--> statement-breakpoint
CREATE INDEX "offline_reviews_status_idx" ON "offline_reviews" USING btree ("status","created_at");