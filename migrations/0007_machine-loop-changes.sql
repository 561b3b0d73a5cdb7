CREATE TABLE "machine_loop_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"member_ids" jsonb,
	"machine_ids" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "machine_loop_changes_created_idx" ON "machine_loop_changes" USING btree ("created_at");