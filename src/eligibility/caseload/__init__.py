"""Whole caseloads: synthetic cases, streaming batch runs, bevakningslista, law-change impact."""
