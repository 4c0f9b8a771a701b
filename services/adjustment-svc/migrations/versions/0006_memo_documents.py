"""Issued memos' documents (the PDF rendered when the memo is issued, its bytes and their SHA-256; a trigger refuses
UPDATE and DELETE), and the PO number of the invoices a memo adjusts (printed on the memo).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "adjustment_svc"


def upgrade() -> None:
    op.add_column("invoices", sa.Column("po_number", sa.String(200), nullable=True), schema=SCHEMA)
    op.create_table(
        "memo_documents",
        sa.Column("memo_id", sa.String(64), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.execute(f"""
        CREATE FUNCTION {SCHEMA}.refuse_document_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'an issued document never changes (memo %)', OLD.memo_id;
        END $$""")
    op.execute(f"""
        CREATE TRIGGER memo_documents_immutable BEFORE UPDATE OR DELETE ON {SCHEMA}.memo_documents
           FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_document_change()""")


def downgrade() -> None:
    op.drop_table("memo_documents", schema=SCHEMA)
    op.execute(f"DROP FUNCTION {SCHEMA}.refuse_document_change()")
    op.drop_column("invoices", "po_number", schema=SCHEMA)
