"""Adoption and usage reports (next): daily snapshots per unit, roll-up of the tree, ranking,
trends as of a past date, CSV/XLSX/PDF exports. Reads the other capabilities' selectors only."""
