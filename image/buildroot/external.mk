include $(sort $(wildcard $(BR2_EXTERNAL_POCKETLB_PATH)/package/*/*.mk))
