CREATE TABLE "helloasso_reversals" (
	"key" text PRIMARY KEY NOT NULL,
	"payment_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"card_cents" bigint NOT NULL,
	"debt_cents" bigint NOT NULL,
	"other_cents" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"booked_at" timestamp with time zone NOT NULL,
	"transaction_id" bigint,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "card_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "tip_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "other_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "other_items" jsonb;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "reversed_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "debt_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "flag" text;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "booking_note" text;--> statement-breakpoint
ALTER TABLE "helloasso_payments" ADD COLUMN "helloasso_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "helloasso_reversals" ADD CONSTRAINT "helloasso_reversals_payment_id_helloasso_payments_payment_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."helloasso_payments"("payment_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "helloasso_reversals_payment_idx" ON "helloasso_reversals" USING btree ("payment_id");--> statement-breakpoint
-- Payments credited before issue #11 put their whole amount on the card: that is their card share.
UPDATE "helloasso_payments" SET "card_cents" = "amount_cents" WHERE ("status" = 'unmatched') OR ("status" IN ('credited', 'refunded') AND "topup_transaction_id" IS NOT NULL);--> statement-breakpoint
UPDATE "helloasso_payments" SET "reversed_cents" = "amount_cents" WHERE "status" = 'refunded' AND "refund_transaction_id" IS NOT NULL;
