"""Path-policy feedback: propose, render, push, verify and roll back SD-WAN path changes."""
