"""Gates: stage moves checked and recorded in the ledger; where each item stands and how it is doing."""
