"""Touchpoint management and campaign lists (issue 5).

Campaign definitions are YAML files under ``campaigns/`` (validated by :mod:`.definitions`);
:mod:`.targeting` evaluates their target conditions over any named customer columns and
memberships (tags, segments, knowledge groups, model scores); :mod:`.policy` applies the contact
policy (eligibility → suppression → monthly cap with priority arbitration → ranking → channel
assignment → control group); :mod:`.lists` writes the lists, suppression log and manifest;
:mod:`.evaluation` measures action vs control; :mod:`.propensity` trains the contact-response
model; :mod:`.events` turns event files into offers. :mod:`.build` wires them over the warehouse
and is what both the Dagster assets and ``touchpoint campaign`` call.
"""
