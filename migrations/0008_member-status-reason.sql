ALTER TABLE "members" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "status_changed_at" timestamp with time zone;