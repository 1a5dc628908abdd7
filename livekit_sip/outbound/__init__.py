"""Outbound trunks: wire models, service, spec registry, provider and the `OutboundTrunk` resource."""
