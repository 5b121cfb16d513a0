"""What the CMS and the API services both need, and nothing else: standard library only.

`cms/` and `apis/` never import each other (an import-linter contract holds it); they meet
here: the API key format and its hashing (`keys`), scopes (`scopes`), the signed session token
(`session`), the error envelope (`errors`), the key introspection contract (`introspection`),
the simulator's key file (`keyfile`) and the local data folder with its development secrets
(`paths`).
"""
