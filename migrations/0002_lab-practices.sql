CREATE TABLE "enrolments" (
	"id" text PRIMARY KEY NOT NULL,
	"machine_id" text NOT NULL,
	"uid" text NOT NULL,
	"staff_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "material_uses" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"material_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"amount_cents" bigint NOT NULL,
	"recorded_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "materials" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"unit" text NOT NULL,
	"price_per_unit_cents" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_actions" (
	"machine_id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"member_id" text NOT NULL,
	"staff_id" text,
	"qualification_id" text,
	"request_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "machine_sessions" ADD COLUMN "idle_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "machine_sessions" ADD COLUMN "last_running_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "machine_sessions" ADD COLUMN "supervised_by" text;--> statement-breakpoint
ALTER TABLE "machine_sessions" ADD COLUMN "materials_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "idle_price_per_minute_cents" integer;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "session_fee_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "requires_supervisor" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "supervisor_mode" text DEFAULT 'badge' NOT NULL;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "post_use_check" text;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "check_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "grace_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "maintenance_every_hours" integer;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "running_seconds_since_maintenance" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "material_uses" ADD CONSTRAINT "material_uses_session_id_machine_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."machine_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "material_uses" ADD CONSTRAINT "material_uses_material_id_materials_id_fk" FOREIGN KEY ("material_id") REFERENCES "public"."materials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_actions" ADD CONSTRAINT "pending_actions_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "enrolments_created_idx" ON "enrolments" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "material_uses_session_idx" ON "material_uses" USING btree ("session_id");