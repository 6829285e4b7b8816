# CPack's DEB generator: one package per install component, dependencies from the libraries
# the programs link (dpkg-shlibdeps), sala-server's maintainer scripts and conffile.
# tools/package runs it on an existing build tree.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sala)
set(CPACK_PACKAGE_VENDOR "Sala")
set(CPACK_PACKAGE_CONTACT "Sala maintainers <sala@example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# DESTDIR installs with the prefix /usr, whatever the build tree was configured with: the
# install script (install_system_files.cmake) sees /usr and puts /etc and /lib/systemd there.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${components})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://sala.example.org/")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Sala maintainers <sala@example.org>")

# Each description's first line is the summary (CPACK_PACKAGE_DESCRIPTION_SUMMARY stays unset, or
# CPack would put it first); CPack indents the lines after it.
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME sala-server)
set(CPACK_DEBIAN_SERVER_DESCRIPTION "directory server of the Sala voice-call system
sala-server knows who is online and relays call set-up between Sala clients
over TLS. It answers STUN on UDP and relays media through its own TURN relay
when two clients cannot reach each other directly; the calls themselves stay
end-to-end encrypted. It runs as the systemd service sala-server.service,
with its settings in /etc/sala-server/sala-server.json.")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  "${CMAKE_CURRENT_SOURCE_DIR}/debian/server/postinst;${CMAKE_CURRENT_SOURCE_DIR}/debian/server/prerm;${CMAKE_CURRENT_SOURCE_DIR}/debian/server/postrm;${CMAKE_CURRENT_SOURCE_DIR}/debian/server/conffiles")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME sala-cli)
set(CPACK_DEBIAN_CLI_DESCRIPTION "voice-call client of Sala, without a window
sala-cli registers a name on a Sala directory server, lists who is online and
places or answers end-to-end encrypted voice calls (Opus in SRTP, ICE), with
commands on its standard input; audio from the sound card, WAV files or tones.")

set(CPACK_DEBIAN_GUI_PACKAGE_NAME sala)
set(CPACK_DEBIAN_GUI_DESCRIPTION "voice-call window of Sala
sala registers a name on a Sala directory server, shows a live list of who is
online and places or answers end-to-end encrypted voice calls (Opus in SRTP,
ICE), with level meters and call statistics. A Dear ImGui window.")
# The window draws its text in DejaVu Sans from the system's fonts.
set(CPACK_DEBIAN_GUI_PACKAGE_DEPENDS "fonts-dejavu-core")

include(CPack)
