/**
 * transfer: the channels that carry bytes the judge never sees — SFTP (and scp in SFTP mode) and
 * local port forwarding — each decided by policy (`sftp`, `port-forward`) and logged: files with
 * paths and sizes, forwards with destination and byte counts. See docs/transfers.md.
 *
 * Trust boundary: the identity is verified; every byte from the client is hostile. Allowed
 * transfers run with the target account's rights (SFTP) or the bastion's network position
 * (forwarding). Known limits: remote forwarding (-R), agent and X11 forwarding stay refused in
 * ssh/; legacy `scp -O` is an exec command judged like any other.
 */
export { serveSftp, SFTP_SERVER, type SftpRequest, type TransferChannel } from './sftp.js';
export { serveForward, type ForwardRequest } from './forward.js';
export { SftpParser, MAX_PACKET, type FileRecord, type OpRecord, type SftpObserver } from './sftp-parser.js';
export { askTransfer } from './policy.js';
