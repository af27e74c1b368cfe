-- One database per connector in the compose set-up: the supplier's and the consumer's data never share a schema.
CREATE DATABASE supplier;
CREATE DATABASE consumer;
