################################################################################
#
# pocketlb: installs the bundle built on the host by `npm run bundle`
# (esbuild output, architecture independent) and the device's start
# scripts from image/overlay. The native addons come from the nodejs
# package (BR2_PACKAGE_NODEJS_MODULES_ADDITIONAL in the defconfig).
#
################################################################################

POCKETLB_VERSION = local
POCKETLB_SITE = $(BR2_EXTERNAL_POCKETLB_PATH)/../..
POCKETLB_SITE_METHOD = local
POCKETLB_LICENSE = MIT
POCKETLB_DEPENDENCIES = nodejs

# The bundle is plain JavaScript: built once on the host, never per target.
define POCKETLB_BUILD_CMDS
	test -f $(@D)/dist/bundle/pocketlb.mjs || \
		{ echo "pocketlb: run 'npm ci && npm run bundle' in the source tree first"; exit 1; }
endef

define POCKETLB_INSTALL_TARGET_CMDS
	$(INSTALL) -d $(TARGET_DIR)/usr/lib/pocketlb
	# the host's addons stay behind: the target's come from the nodejs package
	tar -C $(@D)/dist/bundle --exclude=node_modules -cf - . | tar -C $(TARGET_DIR)/usr/lib/pocketlb -xf -
	cp -a $(@D)/image/overlay/. $(TARGET_DIR)/
	$(INSTALL) -D -m 0644 $(@D)/board/nanopi-r2s.json $(TARGET_DIR)/etc/pocketlb/board.json
endef

$(eval $(generic-package))
