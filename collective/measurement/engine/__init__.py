"""The measurement engine: roll-ups, formulas and statuses, kept fresh by the services.

- `rollups` — each indicator's value per period for every partner subtree and the initiative,
  recomputed for the cells a write touched (`refresh`) or from scratch (`rebuild`);
- `delta` — one value written: the stored roll-ups moved by the difference it makes;
- `formulas` — formula indicators evaluated from their inputs' roll-ups;
- `status` — on track / at risk / off track / no data, the forecast and why.

The engine reads and writes through `store` (SQL) and the ORM; it never validates input (the
services do) and never writes audit entries.
"""
