"""CyberTipline reports and law-enforcement outcomes, collected side by side and never joined."""
