-- Provider-initiated negotiations: a provider row has no consumerPid ('') until the consumer acknowledges the offer, so
-- the provider's (counter-party, consumerPid) uniqueness applies only once it is known. A consumer row is unique per
-- (counter-party, providerPid): a replayed initial offer finds its negotiation, a concurrent duplicate fails and is retried.
DROP INDEX cp_negotiations_provider_consumer_pid;
CREATE UNIQUE INDEX cp_negotiations_provider_consumer_pid ON cp_negotiations (tenant_id, counter_party_id, consumer_pid)
  WHERE role = 'provider' AND consumer_pid <> '';
CREATE UNIQUE INDEX cp_negotiations_consumer_provider_pid ON cp_negotiations (tenant_id, counter_party_id, provider_pid)
  WHERE role = 'consumer' AND provider_pid IS NOT NULL;
