; electron-builder NSIS include (electron-builder.yml nsis.include; checked by scripts/check-package.ts).
;
; The app registers its app-link scheme (RFC 8252 §7.1) for the current user at every start
; (app.setAsDefaultProtocolClient writes HKCU\Software\Classes\<scheme>). An uninstall removes it, so
; no link of that scheme starts a program that is gone. Not on an update: the old version is
; uninstalled then, and the new one keeps the scheme.
!macro customUnInstall
  ${ifNot} ${isUpdated}
    DeleteRegKey HKCU "Software\Classes\com.example.electron-auth0-hello-world"
  ${endIf}
!macroend
