# Sources of broker.
