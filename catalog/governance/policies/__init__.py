"""The policy kinds, one module per group.

Each module defines ``KINDS`` (every :class:`~catalog.governance.policy.PolicyKind` it offers
to domains) and ``GLOBAL`` (the policies in force everywhere). List a new module in
:data:`catalog.governance.registry.POLICY_MODULES`.
"""
