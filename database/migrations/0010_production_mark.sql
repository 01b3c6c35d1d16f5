-- The mark a production start leaves in its database (database/demo_data.py). From then on a
-- development start refuses to seed demonstration data into it, and demo accounts never sign in.
-- Demo accounts, officers, team members and stations are told apart by their is_demo columns.
CREATE TABLE production_mark (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    marked_at timestamptz NOT NULL DEFAULT now()
);
