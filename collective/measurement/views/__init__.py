"""Pages of shared measurement, by capability: `dashboard`, `indicators` (one indicator, its
targets, duties and stories), `entry` (the entry grid, values and their review), `reporting`
(duties, completeness), `scorecard` (the RBA scorecard, its downloads, the public scorecard and
the embeds) and `transfer` (imports and exports); `common` holds what they share.

Views parse input, check permission once and call the services (writes) or the selectors
(reads). Every page works without JavaScript; htmx swaps named partials.
"""
