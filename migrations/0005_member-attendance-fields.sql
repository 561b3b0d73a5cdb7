ALTER TABLE "members" ADD COLUMN "gender" text;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "residence_commune" text;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "residence_area" text;