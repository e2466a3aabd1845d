"""Pure softphone logic: netstring framing, baresip event mapping, phone-number forms."""
