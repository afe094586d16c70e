/** The only two IPC channels: commands go one way (with their name inside), events the other. */
export const commandChannel = 'taskdrop:command';
export const eventChannel = 'taskdrop:event';
