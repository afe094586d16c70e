; Included by electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; Explorer's "Send to" menu lists the shortcuts in the user's SendTo folder ($SENDTO; per-user
; install, so the installing person's own). Sending files starts taskdrop with their paths,
; which the running taskdrop receives as a second launch (main/app/launch-batcher.ts).

!macro customInstall
  CreateShortCut "$SENDTO\${PRODUCT_NAME}.lnk" "$INSTDIR\${APP_EXECUTABLE_FILENAME}" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME}" 0 "" "" "Attach to a Microsoft To Do task"
!macroend

; Also runs before an update replaces the app; customInstall then adds the entry again.
!macro customUnInstall
  Delete "$SENDTO\${PRODUCT_NAME}.lnk"
!macroend
