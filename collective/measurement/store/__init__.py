"""The store: every SQL statement of shared measurement, and the only place that opens a cursor.

The ORM serves most reads and writes; hand-written SQL is kept where `bench/` shows the ORM is
too slow — set-based roll-ups (`INSERT … SELECT … GROUP BY`, window functions), staged imports
(`UPDATE … FROM`, `INSERT … SELECT`), bulk inserts (COPY on PostgreSQL, `executemany` on SQLite)
and the few statements of a single value written. Rules every module here follows:

- table and column names come from the models' `_meta` (`sql.table`, `sql.columns`), so a
  renamed or added field cannot silently fall out of a hand-written list;
- each statement string holds one SQL statement: PostgreSQL's server-side parameter binding
  (psycopg's `server_side_binding`) refuses more, and several statements that should cost one
  round trip are sent in a pipeline instead (`sql.run`);
- values go in as bound parameters; only integers the store formats itself (ids) and names
  from `_meta` become part of the SQL text.

Modules: `sql` (helpers), `observations` (values, their history and audit rows), `rollups`
(aggregation), `statuses`, `staging` (imports).
"""
