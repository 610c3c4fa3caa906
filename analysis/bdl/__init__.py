"""GUS Local Data Bank (BDL) API v1: a quota-keeping, caching client and the fetch into a store."""
