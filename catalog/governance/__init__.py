"""Federated computational governance: policies as code, domain overrides, compliance results.

- :mod:`.model`: findings, policy results, compliance reports (plain dataclasses).
- :mod:`.policy`: the :class:`~.policy.Policy` and :class:`~.policy.PolicyKind` types.
- :mod:`.registry`: the global policy set, one module per policy group in :mod:`.policies`.
- :mod:`.overrides`: ``domains/<domain>/policies.yaml`` (add or tighten, never loosen an error).
- :mod:`.evaluate`: :func:`~.evaluate.evaluate_product` and the mesh-wide evaluation used by the
  portal, ``python -m catalog validate`` and the registration wizard alike.
- :mod:`.approval`: approving or sending back ``proposed`` products.
- :mod:`.metrics`: the mesh's own KPIs.
"""
