# The broker domain's pure parts: memory policy, activity tracking, vCPU load policy,
# command-line text and formatting
# (build/host/unit broker_policy|broker_activity|broker_vcpu|broker_cmd|broker_fmt).
UNIT_SRCS += guests/broker/policy.c guests/broker/cmd.c guests/lib/fmt.c \
	guests/broker/vcpu_policy.c guests/broker/timeline.c guests/broker/top.c sched/place.c
UNIT_TESTS += tests/unit/test_broker_policy.c tests/unit/test_broker_cmd.c \
	tests/unit/test_broker_vcpu.c tests/unit/test_broker_place.c \
	tests/unit/test_timeline.c tests/unit/test_top.c
