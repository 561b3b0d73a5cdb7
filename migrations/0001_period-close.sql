CREATE TABLE "attendance_aggregates" (
	"period" text PRIMARY KEY NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "closed_periods" (
	"period" text PRIMARY KEY NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_by" text NOT NULL,
	"forced" boolean DEFAULT false NOT NULL,
	"reason" text,
	"report" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "helloasso_payments" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"order_id" text,
	"form_type" text,
	"form_slug" text,
	"state" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"paid_at" timestamp with time zone,
	"payer_email" text,
	"payer_name" text,
	"match_value" text,
	"status" text NOT NULL,
	"member_id" text,
	"topup_transaction_id" bigint,
	"refund_transaction_id" bigint,
	"note" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD CONSTRAINT "helloasso_payments_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "closed_periods_ends_idx" ON "closed_periods" USING btree ("ends_at");--> statement-breakpoint
CREATE INDEX "helloasso_payments_status_idx" ON "helloasso_payments" USING btree ("status");--> statement-breakpoint
CREATE INDEX "helloasso_payments_member_idx" ON "helloasso_payments" USING btree ("member_id");