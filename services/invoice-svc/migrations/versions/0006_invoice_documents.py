"""Issued invoices' documents: the PDF rendered once from the invoice as issued, its bytes and their SHA-256.

A trigger refuses any UPDATE or DELETE of a stored document: an issued document never changes.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.create_table(
        "invoice_documents",
        sa.Column("invoice_id", sa.String(64), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.execute(f"""
        CREATE FUNCTION {SCHEMA}.refuse_document_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'an issued document never changes (invoice %)', OLD.invoice_id;
        END $$""")
    op.execute(f"""
        CREATE TRIGGER invoice_documents_immutable BEFORE UPDATE OR DELETE ON {SCHEMA}.invoice_documents
           FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_document_change()""")


def downgrade() -> None:
    op.drop_table("invoice_documents", schema=SCHEMA)
    op.execute(f"DROP FUNCTION {SCHEMA}.refuse_document_change()")
